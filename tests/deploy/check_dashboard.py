"""Checks deploy/grafana/quokka.json beyond JSON syntax: every query goes
through the datasource variable, panel ids are unique, and every recorded
series a query reads (a name with a colon) is defined in
deploy/prometheus/recording.rules.yml, so renaming a rule cannot silently
blank a panel.

    python3 check_dashboard.py <repository root>
"""
import json
import re
import sys
from pathlib import Path


def main(root: Path) -> int:
    dashboard = json.loads((root / "deploy/grafana/quokka.json").read_text())
    rules = (root / "deploy/prometheus/recording.rules.yml").read_text()
    recorded = set(re.findall(r"^\s*- record:\s*(\S+)", rules, re.MULTILINE))
    errors = []

    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    source = variables.get("datasource")
    if not source or source["type"] != "datasource" or source["query"] != "prometheus":
        errors.append("no Prometheus datasource variable named 'datasource'")

    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    ids = [panel["id"] for panel in panels]
    if len(ids) != len(set(ids)):
        errors.append(f"duplicate panel ids: {sorted(ids)}")

    for panel in panels:
        title = panel.get("title", "?")
        for target in panel.get("targets", []):
            if target.get("datasource", panel.get("datasource")) != {
                "type": "prometheus", "uid": "${datasource}"}:
                errors.append(f"panel '{title}': query not on ${{datasource}}")
            expr = target.get("expr", "")
            if not expr.strip():
                errors.append(f"panel '{title}': empty query")
            for name in re.findall(r"[a-z_]+:[a-z_0-9]+:[a-z_0-9]+", expr):
                if name not in recorded:
                    errors.append(f"panel '{title}': {name} is not a recording rule")

    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(panels)} panels, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
