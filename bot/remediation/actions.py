"""The gated actions on the ML service, each verified rather than assumed.

Rollback: the standby model must be the one serving afterwards, with the service healthy and
ready. Retrain: the run is polled until it ends; it counts only if it passed the evaluation gate
and its version is the one serving. Before each write the `Journal` records what is about to be
sent (and after a trigger, the run's id), so a replica that takes a dead one's action over verifies
it (`resume_action`) instead of sending it again. Blocking code: callers run it in a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.ml_service import MLService, MLServiceUnavailable
from bot.remediation.polling import ActionFailed, Deadline, read

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ActionResult:
    """SPEC §6's ActionResult, for one approved action."""

    action: str
    status: str  # completed | failed
    details: str


class Journal(Protocol):
    """Where an action writes down what it sends, before it is sent (the store, in the bot)."""

    def sending(self, expected: str | None) -> None: ...

    def run_started(self, run_id: str) -> None: ...


class Unrecorded:
    def sending(self, expected: str | None) -> None:
        pass

    def run_started(self, run_id: str) -> None:
        pass


@dataclass(frozen=True)
class Polling:
    """How an action waits on the service: the first wait between reads, and its deadline."""

    poll_sec: float
    deadline: Deadline

    def read(self, call: Callable[[], dict], what: str) -> dict:
        return read(call, self.deadline, self.poll_sec, what)


def served(ml: MLService, model_name: str, polling: Polling) -> dict:
    """The service's description of the model named `model_name` (its model_type, slots, versions)."""
    for model in polling.read(ml.model_info, "/model/info").get("models", []):
        if model.get("model_name") == model_name:
            return model
    raise ActionFailed(f"the ML service does not serve a model named {model_name}")


def rollback(ml: MLService, model_name: str, progress: Progress, polling: Polling, journal: Journal) -> str:
    before = served(ml, model_name, polling)
    standby = before.get("standby") or {}
    if not standby:
        raise ActionFailed(f"{model_name} has no standby model to roll back to")
    progress(f"asking the ML service to roll {model_name} back from {before['active']['version']} "
             f"to {standby['version']}")
    journal.sending(standby["version"])
    ml.rollback(before["model_type"])
    return verify_rollback(ml, before["model_type"], model_name, standby["version"], progress, polling,
                           was=before["active"]["version"])


def verify_rollback(ml: MLService, model_type: str, model_name: str, expected: str, progress: Progress,
                    polling: Polling, *, was: str | None = None) -> str:
    progress("verifying health, readiness and the model now serving")
    health = polling.read(ml.health, "/health")
    ready = polling.read(ml.ready, "/ready")
    after = polling.read(lambda: ml.model_info(model_type), "/model/info")
    if after["active"]["version"] != expected:
        raise ActionFailed(f"the service answered, but {after['active']['version']} is serving, not {expected}")
    if health.get("status") != "ok" or not ready.get("ready"):
        raise ActionFailed(f"{expected} is serving but the service is not healthy (health {health}, ready {ready})")
    change = f"{was} → {expected}" if was else f"{expected} serving"
    return f"{model_name} rolled back: {change} ({after['active']['slot']} slot); health ok, ready"


def retrain(ml: MLService, model_name: str, data_version: str, progress: Progress, polling: Polling,
            journal: Journal) -> str:
    model_type = served(ml, model_name, polling)["model_type"]
    progress(f"starting a {model_type} training run on data version {data_version}")
    journal.sending(None)
    job = str(ml.trigger_training(model_type, data_version)["job_id"])
    journal.run_started(job)
    return verify_retrain(ml, model_type, model_name, job, progress, polling)


def verify_retrain(ml: MLService, model_type: str, model_name: str, job: str, progress: Progress,
                   polling: Polling) -> str:
    progress(f"training run {job} is running; waiting for its evaluation")
    while True:
        runs = polling.read(lambda: ml.training_status(model_type), "/training/status")
        run = next((r for r in runs if r.get("job_id") == job), None)
        if run is not None and run.get("status") not in ("queued", "running"):
            break
        if polling.deadline.passed:
            raise ActionFailed(f"training run {job} did not finish within {polling.deadline.seconds:.0f} s; "
                               "check it on the ML service before retrying")
        time.sleep(min(polling.poll_sec, max(polling.deadline.left, 0.0)))
    if run.get("status") != "completed" or not run.get("promoted"):
        reason = run.get("error") or f"status {run.get('status')}"
        raise ActionFailed(f"training run {job} was not promoted: {reason}")
    progress("verifying the retrained model is the one serving")
    after = polling.read(lambda: ml.model_info(model_type), "/model/info")
    if after["active"]["version"] != run["version"]:
        raise ActionFailed(f"run {job} reports {run['version']} promoted, but {after['active']['version']} "
                           "is serving")
    return (f"{model_name} retrained ({job}): {run['version']} F1 {run['f1']:.3f} passed the gate "
            f"(production {run['production_f1']:.3f} − 0.01) and serves from the {after['active']['slot']} slot")


def run_action(ml: MLService | None, action: str, target: str, now: datetime, progress: Progress, *,
               poll_sec: float, timeout_sec: float, journal: Journal | None = None) -> ActionResult:
    """Run one approved action; any failure comes back as a failed result naming the service's words."""
    polling = Polling(poll_sec, Deadline(timeout_sec))
    journal = journal or Unrecorded()
    if action == "rollback_model":
        return _outcome(ml, action, lambda ml: rollback(ml, target, progress, polling, journal))
    if action == "retrain_model":
        return _outcome(ml, action, lambda ml: retrain(ml, target, f"{now:%Y-%m-%d}", progress, polling, journal))
    return ActionResult(action, "failed", f"{action} is not an action AgentOps executes")


def resume_action(ml: MLService | None, action: str, target: str, progress: Progress, *, expected: str | None,
                  run_id: str | None, poll_sec: float, timeout_sec: float) -> ActionResult:
    """An action whose write a replica that stopped had sent: verified from the service's own state (the
    model serving, the recorded training run), never sent again."""
    polling = Polling(poll_sec, Deadline(timeout_sec))
    if action == "rollback_model" and expected:
        def verify(ml: MLService) -> str:
            model_type = served(ml, target, polling)["model_type"]
            return verify_rollback(ml, model_type, target, expected, progress, polling)
        return _outcome(ml, action, verify)
    if action == "retrain_model" and run_id:
        return _outcome(ml, action, lambda ml: verify_retrain(ml, served(ml, target, polling)["model_type"],
                                                              target, run_id, progress, polling))
    return ActionResult(action, "failed", "the bot running it stopped after sending it to the ML service, before "
                                          "recording what the service answered; it was not sent again. Check the "
                                          "model's state on the ML service")


def _outcome(ml: MLService | None, action: str, run: Callable[[MLService], str]) -> ActionResult:
    if ml is None:
        return ActionResult(action, "failed", "no ML service is configured (ML_SERVICE_URL); nothing was done")
    try:
        details = run(ml)
    except (ActionFailed, MLServiceUnavailable) as error:
        return ActionResult(action, "failed", str(error))
    except (KeyError, TypeError, AttributeError) as error:  # an answer not shaped like SPEC §4's
        return ActionResult(action, "failed", f"the ML service gave an unexpected answer (missing {error}); "
                                              "its state was not verified")
    return ActionResult(action, "completed", details)
