"""What senders may POST: Alertmanager's webhook (version 4), Grafana's variant of it, and a generic
alert in SPEC §6's Alert shape. Strict types and bounded sizes; a rejection names the field path."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Value = Annotated[str, StringConstraints(max_length=4_096)]
Text = Annotated[str, StringConstraints(max_length=16_384)]
Url = Annotated[str, StringConstraints(max_length=4_096)]
Labels = Annotated[dict[Name, Value], Field(max_length=128)]
Status = Literal["firing", "resolved"]
M = TypeVar("M", bound=BaseModel)
MAX_ALERTS = 1_000  # Alertmanager's max_alerts caps a notification well below this; truncatedAlerts counts the rest


class _Payload(BaseModel):
    # strict: a number where a string belongs is an error, not coerced; unknown fields are ignored (senders add some)
    model_config = ConfigDict(strict=True, extra="ignore")


class AlertmanagerAlert(_Payload):
    status: Status
    labels: Labels
    annotations: Annotated[dict[Name, Text], Field(max_length=128)] = {}
    startsAt: datetime
    endsAt: datetime | None = None
    generatorURL: Url = ""
    fingerprint: Annotated[str, StringConstraints(max_length=64)] = ""
    # Grafana's additions
    values: Annotated[dict[Name, float | None], Field(max_length=128)] | None = None
    silenceURL: Url | None = None
    dashboardURL: Url | None = None
    panelURL: Url | None = None


class AlertmanagerNotification(_Payload):
    version: Annotated[str, StringConstraints(max_length=8)] = "4"
    groupKey: Annotated[str, StringConstraints(min_length=1, max_length=8_192)]
    truncatedAlerts: Annotated[int, Field(ge=0)] = 0
    status: Status
    receiver: Url = ""
    groupLabels: Labels = {}
    commonLabels: Labels = {}
    commonAnnotations: Annotated[dict[Name, Text], Field(max_length=128)] = {}
    externalURL: Url = ""
    alerts: Annotated[list[AlertmanagerAlert], Field(min_length=1, max_length=MAX_ALERTS)]
    orgId: int | None = None  # Grafana


Metric = float | str | bool | None


class GenericAlert(_Payload):
    """SPEC §6's Alert; `status: resolved` resolves the alert of the same type and component."""

    alert_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    severity: Literal["critical", "warning", "info"]
    alert_type: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    affected_component: Annotated[str, StringConstraints(min_length=1, max_length=4_096)]
    metrics: Annotated[dict[Name, Metric], Field(max_length=128)] = {}
    timestamp: datetime
    message: Annotated[str, StringConstraints(max_length=16_384)] = ""
    status: Status = "firing"


class PayloadError(ValueError):
    """Why a body was refused: the first problem, by field path (`alerts[0].labels`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field, self.problem = field, problem


def field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def parse(model: type[M], body: bytes) -> M:
    """The body as `model`, or PayloadError naming the first field that is wrong."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        if first["type"] == "json_invalid":
            where = first["msg"].removeprefix("Invalid JSON: ")
            raise PayloadError("", f"the body is not valid JSON ({where})") from None
        if first["type"] == "model_type" and not first["loc"]:
            raise PayloadError("", "expected a JSON object") from None
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise PayloadError(field_path(first["loc"]), f"{first['msg']}{more}") from None
