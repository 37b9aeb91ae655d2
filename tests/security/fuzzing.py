"""Schemathesis over the app's own OpenAPI document, driven from pytest.

``Fuzzer.run(operations, identity)`` generates requests for each operation (data that
fits the schema and data that does not, some of it aimed at rows that exist), sends
them to the app on loopback as one identity, and checks every answer:

- no 500: an internal error is a bug whatever the input;
- a 502/503/504 only as the problem of a named service (``code`` ``service_*``), and
  only from an operation whose job is to reach an address the request itself gave
  (testing a service connection, registering the webhook);
- every error is ``application/problem+json`` with a ``code``;
- schemathesis' checks: the status, content type, headers and body are the ones the
  document declares; what the schema refuses is refused and what it allows is
  accepted; a route that needs a user answers 401 without one.

Failures are collected per operation (shrunk by Hypothesis to a small example in the
long run) and reported together; ``Tally`` counts what was sent, for the issue note.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode, Response
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

Operation = APIOperation[Any, Any, Any, Any]
AnyCase = Case[Any]
PROBLEM = "application/problem+json"
GATEWAY_STATUSES = {502, 503, 504}

CHECKS: list[CheckFunction] = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    ignored_auth,
]


@dataclass
class Identity:
    """Who sends the requests: the headers that sign them in."""

    name: str
    headers: dict[str, str]
    # schemathesis' ignored_auth check knows only the Authorization header: it would take
    # a cookie session still signing the request in for "invalid auth accepted".
    bearer: bool = True


@dataclass
class Tally:
    """What the fuzzer sent and got, over a whole test session."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    negative: int = 0
    operations: set[str] = field(default_factory=set)

    def add(self, case: AnyCase, status: int) -> None:
        self.requests += 1
        self.statuses[status] += 1
        self.operations.add(case.operation.label)
        if case.meta is not None and not case.meta.generation.mode.is_positive:
            self.negative += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def summary(self) -> str:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"{self.requests} requests ({self.negative} with schema-violating input) over "
            f"{len(self.operations)} operations; statuses {statuses}"
        )


class Failure(AssertionError):
    pass


def _problem_failure(response: Response, reaches_out: bool) -> str | None:
    status = response.status_code
    if status < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    if content_type != PROBLEM:
        return f"{status} is not problem+json: {content_type}"
    try:
        body = response.json()
    except ValueError:
        return f"{status} problem is not JSON: {response.content[:200]!r}"
    if not isinstance(body, dict) or not body.get("code") or body.get("status") != status:
        return f"{status} problem without a code or with the wrong status: {body!r}"
    if status == 500 or status > 504:
        return f"server error: {json.dumps(body)}"
    if status in GATEWAY_STATUSES:
        if not (str(body["code"]).startswith("service_") and body.get("service")):
            return f"{status} without a named service: {json.dumps(body)}"
        # Every service is configured except the optional listening sources.
        if not reaches_out and body["code"] != "service_not_configured":
            return f"{status} from an operation that only uses configured services: {body}"
    return None


@dataclass
class Fuzzer:
    base_url: str
    tally: Tally
    # Path parameters that name real rows, tried alongside generated ones: for paths
    # starting with the key, each parameter's values (taken in step).
    known: Mapping[str, Mapping[str, list[Any]]] = field(default_factory=dict)
    # Operations allowed a service's 502/503/504 (they contact an address they are given).
    reaches_out: frozenset[str] = frozenset()
    # Checks left out for an operation, each with its reason where this is set.
    relaxed: Mapping[str, set[CheckFunction]] = field(default_factory=dict)
    max_examples: int = 5
    derandomize: bool = True
    shrink: bool = False
    session: requests.Session = field(default_factory=requests.Session)

    def _strategy(self, operation: Operation, mode: GenerationMode) -> st.SearchStrategy[AnyCase]:
        strategies = [operation.as_strategy(generation_mode=mode)]
        names = [p.name for p in operation.path_parameters]
        for prefix, known in self.known.items():
            if names and operation.path.startswith(prefix) and set(names) <= set(known):
                for values in zip(*(known[name] for name in names), strict=False):
                    fixed = dict(zip(names, values, strict=True))
                    strategies.append(
                        operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                    )
        return st.one_of(strategies)

    def _settings(self) -> Callable[[Any], Any]:
        return hypothesis.settings(
            max_examples=self.max_examples,
            deadline=None,
            derandomize=self.derandomize,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if self.shrink else [])],
            report_multiple_bugs=False,
        )

    def run_operation(self, operation: Operation, identity: Identity) -> list[str]:
        failures: list[str] = []
        reaches_out = operation.label in self.reaches_out
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @self._settings()
            @hypothesis.given(case=self._strategy(operation, mode))
            def check(case: AnyCase) -> None:
                response = case.call(
                    base_url=self.base_url,
                    session=self.session,
                    headers=identity.headers,
                    timeout=30,
                )
                self.tally.add(case, response.status_code)
                problem = _problem_failure(response, reaches_out)
                if problem:
                    raise Failure(f"{problem}\n{case.as_curl_command()}")
                skipped = self.relaxed.get(operation.label, set())
                if not identity.bearer:
                    skipped = skipped | {ignored_auth}
                checks = [check for check in CHECKS if check not in skipped]
                case.validate_response(response, checks=checks, headers=identity.headers)

            try:
                check()
            except Unsatisfiable:
                pass  # nothing to get wrong: no parameters, no body
            except (Exception, BaseExceptionGroup) as error:  # every operation gets its turn
                failures.append(f"{operation.label} ({mode.value}) as {identity.name}: {error}")
        return failures

    def run(self, operations: Iterable[Operation], identity: Identity) -> list[str]:
        failures: list[str] = []
        for operation in operations:
            failures += self.run_operation(operation, identity)
        return failures
