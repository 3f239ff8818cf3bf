"""The decoder registry: every tag it holds is a signature type, each argument's
decoders are found once, and a family's table is the registry's."""

from __future__ import annotations

from traced.decoders import registry
from traced.decoders.families import files, process, signals, sockets
from traced.decoders.kinds import Decoder
from traced.syscalls.signatures import SIGNATURES, is_type


def test_every_registered_tag_is_a_signature_type() -> None:
    assert all(is_type(tag) for tag in registry.REGISTRY)
    assert all(is_type(tag) for tag, _ in registry.BY_NAME)
    assert all(name in SIGNATURES for name, _ in registry.BY_ARGUMENT)


def test_every_decoder_decodes_at_entry_or_at_exit() -> None:
    for decoder in [*registry.REGISTRY.values(), *registry.BY_NAME.values()]:
        assert isinstance(decoder, Decoder)
        assert decoder.entry is not None or decoder.exit is not None


def test_families_tables_are_the_registrys() -> None:
    for family in (signals, files, sockets, process):
        for tag, decoder in family.DECODERS.items():
            assert registry.REGISTRY[tag] is decoder


def test_arguments_by_name_come_before_their_type() -> None:
    assert registry.decoder_of("execve", "envp", "strv") is registry.BY_NAME[("strv", "envp")]
    assert registry.decoder_of("execve", "argv", "strv") is registry.REGISTRY["strv"]
    assert registry.decoder_of("fcntl", "arg", "ulong") is files.BY_ARGUMENT[("fcntl", "arg")]
    assert registry.decoder_of("read", "count", "size") is None
