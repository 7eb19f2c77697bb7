"""The import contracts of .importlinter (run by `make imports`, part of `make test`): the
layers training_portal.core < accounts < programs < supervision < evaluation, shown failing
on a small tree with a bad import and holding on the repository; and what import-linter
cannot express: no app imports another app's private (`_name`) names."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / ".importlinter"
APPS = ("training_portal", "accounts", "programs", "supervision", "evaluation")
#: The venv's lint-imports, or another one named by LINT_IMPORTS (a tool environment).
LINT_IMPORTS = Path(
    os.environ.get("LINT_IMPORTS") or Path(sys.executable).with_name("lint-imports")
)


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed (make install-dev)")
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(CONTRACTS), "--no-cache"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def fake_tree(folder: Path, **modules: str) -> Path:
    """The five root packages, empty, plus `modules` ("training_portal/core/x.py": source)."""
    for package in (*APPS, "training_portal/core", "accounts/models"):
        (folder / package).mkdir(parents=True, exist_ok=True)
        (folder / package / "__init__.py").write_text('"""A package of the fake tree."""\n')
    for path, source in modules.items():
        (folder / path).write_text(source)
    return folder


def test_the_layers_contract_holds_on_a_tree_that_respects_it(tmp_path: Path) -> None:
    tree = fake_tree(
        tmp_path,
        **{
            "accounts/roles.py": "from training_portal.core import registry\n",
            "training_portal/core/registry.py": "X = 1\n",
            "evaluation/scores.py": "import supervision\nimport programs\nimport accounts\n",
            "training_portal/urls.py": "import evaluation.scores\n",  # wiring: in no layer
        },
    )

    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        (
            "training_portal/core/views.py",
            "from accounts.models import User\n",
            "training_portal.core is not allowed to import accounts",
        ),
        (
            "accounts/views.py",
            "import programs.scopes\n",
            "accounts is not allowed to import programs",
        ),
        (
            "supervision/audit.py",
            "from evaluation import scores\n",
            "supervision is not allowed to import evaluation",
        ),
    ],
)
def test_the_layers_contract_fails_on_a_lower_layer_importing_a_higher_one(
    tmp_path: Path, module: str, source: str, broken: str
) -> None:
    tree = fake_tree(
        tmp_path,
        **{
            module: source,
            "programs/scopes.py": "X = 1\n",
            "evaluation/scores.py": "X = 1\n",
        },
    )

    result = lint_imports(tree)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert broken in result.stdout, result.stdout


def test_the_repository_keeps_its_import_contracts() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr


# ---- Private names ---------------------------------------------------------------------------


def app_of(module: str) -> str | None:
    """The app a module belongs to (training_portal.core counts as an app of its own)."""
    if module == "training_portal.core" or module.startswith("training_portal.core."):
        return "training_portal.core"
    root = module.split(".")[0]
    return root if root in APPS else None


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def modules() -> Iterator[tuple[str, Path]]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield dotted.removesuffix(".__init__"), path


def private_imports(module: str, source: str) -> Iterator[str]:
    """`from other_app.x import _name`, `import other_app._x`, and `alias._name` where the
    alias is a module of another app, in `source` (the code of `module`)."""
    own = app_of(module)
    tree = ast.parse(source)
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            other = app_of(node.module)
            if other is None or other == own:
                continue
            parts = node.module.split(".")
            for alias in node.names:
                if is_private(alias.name) or any(is_private(p) for p in parts):
                    yield f"{module}:{node.lineno}: from {node.module} import {alias.name}"
                else:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                other = app_of(alias.name)
                if other is None or other == own:
                    continue
                if any(is_private(p) for p in alias.name.split(".")):
                    yield f"{module}:{node.lineno}: import {alias.name}"
                elif alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and is_private(node.attr)
        ):
            yield f"{module}:{node.lineno}: {aliases[node.value.id]}.{node.attr}"


def test_the_private_names_check_finds_each_kind_of_reach() -> None:
    source = (
        "from accounts.roles import _grant\n"
        "import accounts._internal\n"
        "from accounts import services as accounts_services\n"
        "from programs.scopes import _visible\n"  # its own app: fine
        "accounts_services._helper()\n"
        "accounts_services.public()\n"
    )

    found = list(private_imports("programs.views", source))

    assert found == [
        "programs.views:1: from accounts.roles import _grant",
        "programs.views:2: import accounts._internal",
        "programs.views:5: accounts.services._helper",
    ]


def test_no_app_imports_another_apps_private_names() -> None:
    found = [
        line
        for module, path in modules()
        for line in private_imports(module, path.read_text(encoding="utf-8"))
    ]

    assert found == []
