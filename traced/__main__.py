import sys

from traced.cli import main

sys.exit(main())
