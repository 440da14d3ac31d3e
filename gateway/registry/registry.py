"""Loads partners/*.yaml, checks each profile and the set as a whole, and looks partners up.

Problems are values (`ProfileProblem`: file, field path, message), collected for every file so
an onboarding engineer sees all of them at once; `Registry.load` raises them together.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gateway.registry.profile import DYNAMIC_DESTINATIONS, PartnerProfile, Role
from gateway.registry.secrets import SecretMissingError, find_inline_secrets, resolve_secret

PROFILE_SUFFIXES = (".yaml", ".yml")
_TAGGED_UNIONS = frozenset({"transport", "outbound_transport"})


@dataclass(frozen=True, slots=True)
class ProfileProblem:
    """One thing wrong with a profile: where (file, dotted field path) and what."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.path}: {self.message}"
            if self.path
            else (f"{self.file}: {self.message}")
        )


class RegistryError(Exception):
    """The partner profiles cannot be used; `problems` lists every finding."""

    def __init__(self, problems: list[ProfileProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"partner profiles have {len(problems)} problem(s):\n{lines}")


class UnknownPartnerError(KeyError):
    """No profile with that id."""

    def __str__(self) -> str:
        return f"no partner profile with id {self.args[0]!r}"


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice (PyYAML would silently keep the last)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str | int | float | bool) and key is not None:
            # `? [a, b]` makes a list or mapping a key: no profile field is named so (and an
            # unhashable key would fail below; found by fuzzing)
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def _loc_path(loc: tuple[int | str, ...]) -> str:
    """('transport', 'sftp', 'host') -> 'transport.host'; list indexes as [n]."""
    parts: list[str] = []
    previous: int | str | None = None
    for item in loc:
        if previous in _TAGGED_UNIONS and isinstance(item, str):
            previous = item
            continue  # the union's tag, which the file shows as `kind:` already
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
        previous = item
    return "".join(parts)


def _message(error: Mapping[str, Any]) -> str:
    kind, message = error["type"], str(error["msg"])
    if kind == "extra_forbidden":
        return "unknown field (a typo?)"
    if kind == "missing":
        return "required field is missing"
    return message.removeprefix("Value error, ")


def parse_profile(text: str, file: str) -> tuple[PartnerProfile | None, list[ProfileProblem]]:
    """Parse one profile's YAML text; the profile, or None and what is wrong with it."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return None, [ProfileProblem(file, where, f"not valid YAML: {exc.problem}")]
    except yaml.YAMLError as exc:
        return None, [ProfileProblem(file, "", f"not valid YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [ProfileProblem(file, "", "a profile is a mapping of fields (id, name, ...)")]
    problems = [ProfileProblem(file, path, msg) for path, msg in find_inline_secrets(data)]
    try:
        profile = PartnerProfile.model_validate(data)
    except ValidationError as exc:
        flagged = {p.path for p in problems}  # an inline secret is reported once, as such
        found = (ProfileProblem(file, _loc_path(e["loc"]), _message(e)) for e in exc.errors())
        problems.extend(p for p in found if p.path not in flagged)
        return None, list(dict.fromkeys(problems))
    stem = Path(file).stem
    if profile.id != stem:
        problems.append(ProfileProblem(file, "id", f"{profile.id!r} must match the file name"))
    return (None if problems else profile), problems


def _profile_files(directory: Path) -> list[Path]:
    """Profile files, oldest first (then by name): the set-level checks blame a conflict on the
    file that came later, i.e. the one just added, not the one that was there before it."""
    found = [
        p
        for p in directory.iterdir()
        if p.suffix in PROFILE_SUFFIXES and p.is_file() and not p.name.startswith(".")
    ]
    return sorted(found, key=lambda p: (_mtime_ns(p), p.name))


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _load_dir(directory: Path) -> tuple[list[tuple[str, PartnerProfile]], list[ProfileProblem]]:
    if not directory.is_dir():
        return [], [ProfileProblem(str(directory), "", "partner profile folder not found")]
    loaded: list[tuple[str, PartnerProfile]] = []
    problems: list[ProfileProblem] = []
    files = _profile_files(directory)
    if not files:
        problems.append(ProfileProblem(str(directory), "", "no *.yaml profiles in this folder"))
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(ProfileProblem(path.name, "", f"cannot read: {exc}"))
            continue
        profile, found = parse_profile(text, path.name)
        problems.extend(found)
        if profile is not None:
            loaded.append((path.name, profile))
    return loaded, problems


def _cross_checks(
    profiles: list[tuple[str, PartnerProfile]], env: Mapping[str, str] | None
) -> list[ProfileProblem]:
    """Rules over the whole set: unique ids, ISA ids, channels, customers; routing targets."""
    problems: list[ProfileProblem] = []
    owners: dict[tuple[str, ...], str] = {}

    def claim(key: tuple[str, ...], file: str, path: str, what: str) -> None:
        first = owners.setdefault(key, file)
        if first != file:
            problems.append(ProfileProblem(file, path, f"{what} is already used by {first}"))

    ids = {p.id for _, p in profiles}
    selves = [f for f, p in profiles if p.role is Role.SELF]
    if not selves and profiles:
        problems.append(
            ProfileProblem("(registry)", "", "no profile with role: self (our own ISA identity)")
        )
    for extra in selves[1:]:
        problems.append(ProfileProblem(extra, "role", f"a second self profile ({selves[0]})"))
    for file, p in profiles:
        claim(("id", p.id), file, "id", f"id {p.id!r}")
        if p.x12 is not None:
            isa = f"{p.x12.isa_qualifier}/{p.x12.isa_id}"
            claim(("isa", p.x12.isa_qualifier, p.x12.isa_id), file, "x12.isa_id", f"ISA id {isa}")
        if p.scac:
            claim(("scac", p.scac), file, "scac", f"SCAC {p.scac}")
        if p.transport is not None:
            channel = f"{p.transport.kind} account {p.account!r}"
            claim(("channel", p.transport.kind, p.account), file, "transport", channel)
        for path, folder in _folders(p):
            # two profiles on one folder: each takes (or overwrites) the other's files
            claim(("folder", folder), file, path, f"folder {folder!r}")
        for i, customer in enumerate(p.customer_ids):
            claim(("customer", customer), file, f"customer_ids[{i}]", f"customer id {customer!r}")
        for i, rule in enumerate(p.routing):
            for j, target in enumerate(rule.destinations):
                if target not in ids and target not in DYNAMIC_DESTINATIONS:
                    problems.append(
                        ProfileProblem(
                            file,
                            f"routing[{i}].destinations[{j}]",
                            f"no partner profile with id {target!r}",
                        )
                    )
        if env is not None:
            problems.extend(_unresolved_secrets(file, p, env))
        problems.extend(_posting_checks(file, p, profiles))
    return problems


def _posting_checks(
    file: str, profile: PartnerProfile, profiles: list[tuple[str, PartnerProfile]]
) -> list[ProfileProblem]:
    """idoc.posting.carriers names carrier profiles; two carriers never share a vendor."""
    posting = profile.idoc.posting if profile.idoc is not None else None
    if posting is None:
        return []
    roles = {p.id: p.role for _, p in profiles}
    problems: list[ProfileProblem] = []
    vendors: dict[str, str] = {}
    for carrier_id, entry in posting.carriers.items():
        path = f"idoc.posting.carriers.{carrier_id}"
        if roles.get(carrier_id) is not Role.CARRIER:
            problems.append(
                ProfileProblem(file, path, f"no carrier profile with id {carrier_id!r}")
            )
        first = vendors.setdefault(entry.vendor, carrier_id)
        if first != carrier_id:
            problems.append(
                ProfileProblem(file, f"{path}.vendor", f"vendor {entry.vendor} is also {first}'s")
            )
    return problems


def _folders(profile: PartnerProfile) -> Iterator[tuple[str, str]]:
    """(field path, normalised folder) of every local folder the profile reads or writes."""
    seen: set[str] = set()
    for section in ("transport", "outbound_transport"):
        transport = getattr(profile, section)
        if transport is None or transport.kind != "folder":
            continue
        for name in ("inbound_dir", "outbound_dir"):
            value = getattr(transport, name, None)
            if not value:
                continue
            folder = posixpath.normpath(value.replace("\\", "/")).rstrip("/")
            if folder not in seen:  # one profile may read and write the same folder
                seen.add(folder)
                yield f"{section}.{name}", folder


def _unsupported_transports(profiles: list[tuple[str, PartnerProfile]]) -> list[ProfileProblem]:
    """A transport kind the profile format knows but this gateway cannot run (no adapter)."""
    from gateway.adapters.kinds import RUNNABLE_TRANSPORT_KINDS

    runnable = ", ".join(sorted(RUNNABLE_TRANSPORT_KINDS))
    problems: list[ProfileProblem] = []
    for file, p in profiles:
        for section in ("transport", "outbound_transport"):
            transport = getattr(p, section)
            if transport is not None and transport.kind not in RUNNABLE_TRANSPORT_KINDS:
                problems.append(
                    ProfileProblem(
                        file,
                        f"{section}.kind",
                        f"transport {transport.kind!r} cannot run in this gateway "
                        f"(available: {runnable})",
                    )
                )
    return problems


def _unresolved_secrets(
    file: str, profile: PartnerProfile, env: Mapping[str, str]
) -> Iterator[ProfileProblem]:
    for section in ("transport", "outbound_transport"):
        transport = getattr(profile, section)
        if transport is None:
            continue
        for name, value in transport.model_dump().items():
            if isinstance(value, str) and value.startswith("${"):
                try:
                    resolve_secret(value, env)
                except SecretMissingError as exc:
                    yield ProfileProblem(file, f"{section}.{name}", str(exc))


@dataclass(frozen=True, slots=True)
class _Index:
    """Every look-up table of one set of profiles, built together and swapped together."""

    by_id: dict[str, PartnerProfile]
    by_isa: dict[tuple[str, str], PartnerProfile]
    by_channel: dict[tuple[str, str], PartnerProfile]
    by_customer: dict[str, PartnerProfile]
    by_scac: dict[str, PartnerProfile]
    self_profile: PartnerProfile | None

    @classmethod
    def of(cls, profiles: Iterable[PartnerProfile]) -> _Index:
        by_id = {p.id: p for p in sorted(profiles, key=lambda p: p.id)}
        return cls(
            by_id=by_id,
            by_isa={(p.x12.isa_qualifier, p.x12.isa_id): p for p in by_id.values() if p.x12},
            by_channel={(p.transport.kind, p.account): p for p in by_id.values() if p.transport},
            by_customer={c: p for p in by_id.values() for c in p.customer_ids},
            by_scac={p.scac: p for p in by_id.values() if p.scac},
            self_profile=next((p for p in by_id.values() if p.role is Role.SELF), None),
        )


class Registry:
    """The partner profiles in force, with the look-ups the pipeline and adapters need."""

    def __init__(self, profiles: Iterable[PartnerProfile]) -> None:
        named = [(f"{p.id}.yaml", p) for p in profiles]
        problems = _cross_checks(named, None)
        if problems:
            raise RegistryError(problems)
        self._build(p for _, p in named)

    @classmethod
    def load(cls, directory: Path | str) -> Registry:
        """Load and check every profile in `directory`; RegistryError lists all problems."""
        loaded, problems = _load_dir(Path(directory))
        problems.extend(_cross_checks(loaded, None))
        if problems:
            raise RegistryError(problems)
        registry = cls.__new__(cls)
        registry._build(p for _, p in loaded)
        return registry

    def _build(self, profiles: Iterable[PartnerProfile]) -> None:
        self._ix = _Index.of(profiles)

    def replace_with(self, other: Registry) -> None:
        """Take `other`'s profiles in one step (a reload while the gateway runs).

        Every look-up reads the one `_ix` reference, so a pipeline, delivery worker or router
        sharing this object sees either the old set or the new one, never a mix.
        """
        self._ix = other._ix

    # ------------------------------------------------------------ look-ups

    @property
    def profiles(self) -> tuple[PartnerProfile, ...]:
        """Every profile, ordered by id."""
        return tuple(self._ix.by_id.values())

    @property
    def identity(self) -> PartnerProfile:
        """The gateway's own profile (role: self)."""
        found = self._ix.self_profile
        if found is None:  # only reachable for an empty registry
            raise UnknownPartnerError("self")
        return found

    def get(self, partner_id: str) -> PartnerProfile:
        try:
            return self._ix.by_id[partner_id]
        except KeyError:
            raise UnknownPartnerError(partner_id) from None

    def find(self, partner_id: str) -> PartnerProfile | None:
        return self._ix.by_id.get(partner_id)

    def by_isa_id(self, qualifier: str, isa_id: str) -> PartnerProfile | None:
        """The party with this ISA sender/receiver id (padding in the values is ignored)."""
        return self._ix.by_isa.get((qualifier.strip(), isa_id.strip()))

    def by_channel(self, channel: str, account: str) -> PartnerProfile | None:
        """The party whose transport is `channel` (folder, sftp, http, soap) with `account`."""
        return self._ix.by_channel.get((channel, account))

    def by_customer_id(self, customer_id: str) -> PartnerProfile | None:
        return self._ix.by_customer.get(customer_id)

    def by_scac(self, scac: str) -> PartnerProfile | None:
        return self._ix.by_scac.get(scac.strip().upper())

    def our_isa_identity(self, partner: PartnerProfile) -> tuple[str, str, str]:
        """(ISA qualifier, ISA id, GS id) the gateway uses towards `partner`."""
        own = self.identity.x12
        assert own is not None  # the self profile is validated to carry x12
        x12 = partner.x12
        qualifier = (x12.our_isa_qualifier if x12 else None) or own.isa_qualifier
        isa_id = (x12.our_isa_id if x12 else None) or own.isa_id
        gs_id = (x12.our_gs_id if x12 else None) or (
            isa_id if x12 and x12.our_isa_id else own.group_id
        )
        return qualifier, isa_id, gs_id

    def __iter__(self) -> Iterator[PartnerProfile]:
        return iter(self._ix.by_id.values())

    def __len__(self) -> int:
        return len(self._ix.by_id)

    def __contains__(self, partner_id: object) -> bool:
        return partner_id in self._ix.by_id


def check(directory: Path | str, env: Mapping[str, str] | None = None) -> list[ProfileProblem]:
    """Every problem with the profiles in `directory` ([] when they load).

    With `env` (e.g. os.environ) a `${VAR}` reference to an unset variable is a problem too;
    `Registry.load` does not resolve secrets, adapters do when they connect.
    """
    loaded, problems = _load_dir(Path(directory))
    problems.extend(_cross_checks(loaded, env))
    problems.extend(_unsupported_transports(loaded))
    return problems
