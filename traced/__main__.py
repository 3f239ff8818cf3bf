import sys

from traced.cli.main import main

sys.exit(main())
