"""`govtrace demo` against a real `govtrace serve`: it runs to the end over four provinces,
and what its summary tells a reader to try works: the citizen query answers, and the two
verify commands succeed against the chain alone."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.service import Service

pytestmark = [pytest.mark.chain, pytest.mark.slow]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with Service(tmp_path_factory.mktemp("e2e-demo")) as svc:
        yield svc


def test_the_demo_runs_and_its_summary_works(service: Service) -> None:
    result = service.cli("demo", "--wait", "90")
    out = result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    head = re.search(r"govtrace demo: (\d+) cases \((\d+) local, (\d+) cross-province\), "
                     r"(\d+) licenses, (\d+) records, 4 provinces", out)
    assert head is not None, out
    cases, local, cross, licenses, records = map(int, head.groups())
    assert cases >= 15 and local >= 3 and cross >= 4 and licenses >= 4 and records > 60
    for province in ("310000 上海市", "320000 江苏省", "330000 浙江省", "340000 安徽省"):
        assert province in out
    assert len(re.findall(r"^  late: ", out, re.M)) >= 2
    assert "verified by partner 320000 (authentic: true)" in out
    assert re.search(r"license CN-RP-\S+ issued by 330000: revoked", out)

    url = re.search(r"curl '(\S+)'", out)
    assert url is not None
    progress = httpx.get(url.group(1), timeout=10)
    assert progress.status_code == 200 and progress.json()["handling_province"]["code"] == 330000

    commands = [shlex.split(line.strip())[1:] for line in out.splitlines()
                if line.strip().startswith("govtrace verify")]
    assert [c[0] for c in commands] == ["verify", "verify-license"]
    for command in commands:
        checked = service.cli(*command)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("VALID")
