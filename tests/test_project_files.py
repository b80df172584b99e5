"""The project files a newcomer touches first: the `pulumi new` template and the README."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from components.settings import TOP_LEVEL_KEYS, StackSettings, parse_settings, required_keys
from destination_review.render import render
from tests.conftest import NS, ROOT, stack_config
from tests.policy_pack.corpus_cases import POLICY_NAMES

TEMPLATE = ROOT / "template"
# What Pulumi's template copy leaves out (walkFiles in pkg/cmd/pulumi/templates): the
# .git folder and the legacy manifest; every other file of the folder is copied.
PULUMI_SKIPS = {".git", ".pulumi.template.yaml"}


def template_config() -> dict[str, dict[str, str]]:
    project = yaml.safe_load((TEMPLATE / "Pulumi.yaml").read_text())
    assert project["name"] == "${PROJECT}"
    return project["template"]["config"]


def files_pulumi_new_copies(folder: Path) -> set[str]:
    copied = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if PULUMI_SKIPS & set(relative.parts) or path.is_dir():
            continue
        copied.add(relative.as_posix())
    return copied


def test_pulumi_new_copies_the_program_and_nothing_of_the_repository() -> None:
    assert files_pulumi_new_copies(TEMPLATE) == {
        ".gitignore",
        "Pulumi.yaml",
        "__main__.py",
        "requirements.txt",
    }
    # The template's program is the project's program, not a copy that drifts.
    assert (TEMPLATE / "__main__.py").read_text() == (ROOT / "__main__.py").read_text()


def test_the_repository_root_is_no_template() -> None:
    """`pulumi new <repository>` would copy tests/, examples/ and the rest."""
    assert "template" not in yaml.safe_load((ROOT / "Pulumi.yaml").read_text())


def test_template_installs_the_library_not_the_source_tree() -> None:
    lines = [
        line.strip()
        for line in (TEMPLATE / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["social-messaging-destinations>=0.1,<1"]


def test_template_prompts_for_every_required_setting_in_the_new_projects_namespace() -> None:
    config = template_config()
    # A key without a namespace is filed under the new project's name by `pulumi new`
    # (ParseConfigKeyForProject), where the program reads it.
    ours = {k for k in config if ":" not in k}
    required = required_keys(StackSettings)
    assert required == {"destinations"}
    assert required <= ours <= set(TOP_LEVEL_KEYS)
    assert {k.split(":", 1)[0] for k in config if ":" in k} == {"aws"}
    assert "aws:region" in config
    assert all(entry.get("description") for entry in config.values())


def test_template_example_destination_is_valid() -> None:
    description = template_config()["destinations"]["description"]
    example = re.search(r"(\[.*\])", description)
    assert example is not None
    settings = parse_settings({"destinations": yaml.safe_load(example.group(1))}, NS, "dev")
    assert settings.destinations[0].type == "sns"


def test_example_stack_files_follow_the_projects_name() -> None:
    """Keys without a namespace belong to whatever the project is called."""
    for stack in ("dev", "prod"):
        keys = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
        assert {k for k in keys if ":" not in k} <= set(TOP_LEVEL_KEYS)
        assert {k.split(":", 1)[0] for k in keys if ":" in k} == {"aws"}


def test_example_stacks_show_the_intended_environment_differences() -> None:
    dev, prod = stack_config("dev"), stack_config("prod")
    ns = NS
    assert prod[f"{ns}:topic"]["protect"] is True and dev[f"{ns}:topic"]["protect"] is False
    assert (
        prod[f"{ns}:topic"]["keyDeletionWindowDays"] > dev[f"{ns}:topic"]["keyDeletionWindowDays"]
    )
    assert all(d.get("takeover") is False for d in prod[f"{ns}:destinations"])


def readme_command(heading: str) -> str:
    """The first fenced shell command under a README heading."""
    text = (ROOT / "README.md").read_text()
    section = text.split(f"## {heading}", 1)[1]
    block = re.search(r"```(?:sh|bash|shell)\n(.*?)```", section, re.S)
    assert block is not None, heading
    return block.group(1).strip()


def test_ci_runs_the_readme_set_up_and_test_commands_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    setup = readme_command("Set up")
    test = readme_command("Test")
    assert setup in ci
    # The test command runs as written, and its status is CI's.
    assert f"{test} || status=$?" in ci.splitlines()
    assert ci.rstrip().endswith('exit "$status"')


def readme_block(heading: str, language: str, page: str = "README.md", level: str = "##") -> str:
    """The first fenced block of `language` in a section of the README or a docs page."""
    text = (ROOT / page).read_text()
    section = text.split(f"{level} {heading}\n", 1)[1].split(f"\n{level} ", 1)[0]
    block = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert block is not None, heading
    return block.group(1)


def test_readme_quick_start_is_shell_in_the_order_a_newcomer_runs_it() -> None:
    script = readme_block("Quick start", "sh")
    assert subprocess.run(["bash", "-n", "-c", script], check=False).returncode == 0
    steps = [line.split("#")[0].strip() for line in script.splitlines()]
    order = [
        readme_command("Set up"),
        readme_command("Test"),
        "venv/bin/social-messaging-review --stack dev",
        "pulumi login --local",
        "pulumi stack select --create dev",
        "pulumi up --policy-pack policy-packs/social-messaging-guard",
    ]
    assert [steps.index(step) for step in order] == sorted(steps.index(step) for step in order)


def test_readme_example_of_the_components_in_another_program_runs(tmp_path: Path) -> None:
    program = tmp_path / "__main__.py"
    heading = "Using the components from another Python program"
    program.write_text(readme_block(heading, "python", "docs/other-programs.md"))
    rendering = render({}, project="payments-messaging", stack="dev", program=program)
    topic = rendering.one("aws:sns/topic:Topic")
    assert topic.inputs["name"] == "payments-messaging-dev-events"
    assert rendering.of_type("pulumi-python:dynamic/social-messaging:WabaEventDestination")


def test_readme_names_exactly_the_packs_policies() -> None:
    """The README's list of policies is the pack's own list, neither more nor less."""
    section = (ROOT / "README.md").read_text().split("## Policies\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z-]+)` \|", section, re.M))
    assert listed == set(POLICY_NAMES)


def test_every_link_between_the_readme_and_the_docs_reaches_a_heading() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    anchors = {page.resolve(): _anchors(page.read_text()) for page in pages}
    broken = []
    for page in pages:
        for target, anchor in re.findall(r"\]\(([^)#\s]*\.md)?(?:#([^)\s]+))?\)", page.read_text()):
            if not target and not anchor:
                continue
            path = (page.parent / target).resolve() if target else page.resolve()
            if path not in anchors:
                if not path.exists():
                    broken.append(f"{page.name}: {target}")
                continue
            if anchor and anchor not in anchors[path]:
                broken.append(f"{page.name}: {target}#{anchor}")
    assert broken == []


def _anchors(text: str) -> set[str]:
    """GitHub's anchors for a page's headings."""
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}
