"""Open whatever a user points at: a workspace file, an authorization-details export (one file
per account, optionally gzipped), a folder of exports, or the bundled example organization; and
resolve managed policies referenced by ARN (the workspace's own, then the bundled AWS managed
policies)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from workbench.core.codes import make
from workbench.core.diagnostics import Diagnostic
from workbench.load import safe_read
from workbench.load.activity_sources import activity_loaders, detect_kind, load_activity_files
from workbench.load.authorization_details import load_authorization_details
from workbench.load.aws_managed import aws_managed_policies
from workbench.load.organizations import load_organization_folder
from workbench.load.resource_policies import load_resource_folder
from workbench.load.workspace_file import WorkspaceFile, load_workspace_file
from workbench.model.inventory import Inventory, ManagedPolicy

DATASETS = Path(__file__).resolve().parents[2] / "datasets"
WORKSPACE_NAMES = ("workspace.yaml", "workspace.yml", "workspace.json")
AUTHZ_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def example_path() -> Path:
    """The example organization that the workbench opens by default."""
    return DATASETS / "example-org" / "workspace.yaml"


def loaders() -> dict[str, Callable[[Path, Inventory], list[Diagnostic]]]:
    return {"authorization_details": load_authorization_details, "organization": load_organization_folder,
            "resource_policies": load_resource_folder, **activity_loaders()}


def known_aws_policy(arn: str) -> bool:
    return arn in aws_managed_policies()


def resolver_for(inventory: Inventory) -> Callable[[str], ManagedPolicy | None]:
    """Find a managed policy by ARN: in the inventory first, then among AWS managed policies."""
    def resolve(arn: str) -> ManagedPolicy | None:
        found = inventory.managed_policy(arn)
        if found is not None:
            return found
        if ":iam::aws:policy/" in arn:
            bundled: ManagedPolicy | None = aws_managed_policies().get(arn)
            if bundled is not None:
                inventory.aws_policies[arn] = bundled
            return bundled
        return None
    return resolve


def _looks_like_authz(path: Path) -> bool:
    head = safe_read.read_head(path)
    return any(f'"{key}"' in head for key in AUTHZ_KEYS)


def load_path(path: Path, allow_paths: Iterable[str | Path] = (), *, allow_declared_paths: bool = False) -> WorkspaceFile:
    """Load a workspace from a path of any supported kind, reading only inside its folder (the
    folder itself, or the one holding the file) and `allow_paths` (see `safe_read`); a workspace's
    own `allow_paths:` lines count when `allow_declared_paths` is true."""
    root = path if safe_read.is_dir(path) else path.parent
    with safe_read.confined([root, path, *(Path(p) for p in allow_paths)], declared_ok=allow_declared_paths):
        return _load_path(path)


def _load_path(path: Path) -> WorkspaceFile:
    if not safe_read.exists(path):
        return WorkspaceFile(path, Inventory(), None, [make("file-unreadable", f"`{path}` does not exist",
                                                            file=str(path))])
    if safe_read.is_dir(path):
        for name in WORKSPACE_NAMES:
            if (path / name).is_file():
                return load_workspace_file(path / name, loaders(), known_aws_policy)
        return _load_folder(path)
    if path.suffix in (".yaml", ".yml") or not _looks_like_authz(path):
        return load_workspace_file(path, loaders(), known_aws_policy)
    workspace = WorkspaceFile(path, Inventory(), None, name=path.stem)
    workspace.diagnostics.extend(loaders()["authorization_details"](path, workspace.inventory))
    return workspace


def _load_folder(folder: Path) -> WorkspaceFile:
    """A folder of exports: authorization-details files, an `organization/` folder of
    `aws organizations` outputs, and a `resources/` folder of resource policies."""
    workspace = WorkspaceFile(folder, Inventory(), None, name=folder.name)
    load = loaders()
    found = False
    for path in sorted(folder.iterdir()):
        if path.is_file() and (path.suffix == ".json" or path.name.endswith(".json.gz")) and _looks_like_authz(path) \
                and detect_kind(path) is None:
            workspace.diagnostics.extend(load["authorization_details"](path, workspace.inventory))
            found = True
    for sub, kind in (("organization", "organization"), ("resources", "resource_policies")):
        if (folder / sub).is_dir():
            workspace.diagnostics.extend(load[kind](folder / sub, workspace.inventory))
            found = True
    if (folder / "describe-organization.json").is_file():
        workspace.diagnostics.extend(load["organization"](folder, workspace.inventory))
        found = True
    found = load_activity_files(folder, workspace.inventory, workspace.diagnostics) or found
    if not found:
        workspace.diagnostics.append(make("workspace-source", f"`{folder}` holds no workspace file and no AWS export",
                                          file=str(folder),
                                          help="point at a workspace.yaml, an authorization-details JSON, or a "
                                               "folder of them"))
    return workspace


