"""The gated actions on the ML service, each verified rather than assumed.

Rollback: the standby model must be the one serving afterwards, with the service healthy and
ready. Retrain: the run is polled until it ends; it counts only if it passed the evaluation gate
and its version is the one serving. Blocking code: callers run it in a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.ml_service import MLService, MLServiceUnavailable

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ActionResult:
    """SPEC §6's ActionResult, for one approved action."""

    action: str
    status: str  # completed | failed
    details: str


class ActionFailed(Exception):
    pass


def served(ml: MLService, model_name: str) -> dict:
    """The service's description of the model named `model_name` (its model_type, slots, versions)."""
    for model in ml.model_info().get("models", []):
        if model.get("model_name") == model_name:
            return model
    raise ActionFailed(f"the ML service does not serve a model named {model_name}")


def rollback(ml: MLService, model_name: str, progress: Progress) -> str:
    before = served(ml, model_name)
    standby = before.get("standby") or {}
    if not standby:
        raise ActionFailed(f"{model_name} has no standby model to roll back to")
    progress(f"asking the ML service to roll {model_name} back from {before['active']['version']} "
             f"to {standby['version']}")
    ml.rollback(before["model_type"])
    progress("verifying health, readiness and the model now serving")
    health, ready, after = ml.health(), ml.ready(), ml.model_info(before["model_type"])
    if after["active"]["version"] != standby["version"]:
        raise ActionFailed(f"the service answered, but {after['active']['version']} is serving, "
                           f"not {standby['version']}")
    if health.get("status") != "ok" or not ready.get("ready"):
        raise ActionFailed(f"{standby['version']} is serving but the service is not healthy "
                           f"(health {health}, ready {ready})")
    return (f"{model_name} rolled back: {before['active']['version']} → {after['active']['version']} "
            f"({after['active']['slot']} slot); health ok, ready")


def retrain(ml: MLService, model_name: str, data_version: str, progress: Progress, *, poll_sec: float,
            timeout_sec: float) -> str:
    model = served(ml, model_name)
    model_type = model["model_type"]
    progress(f"starting a {model_type} training run on data version {data_version}")
    job = ml.trigger_training(model_type, data_version)["job_id"]
    # real waiting on a real service: the monotonic clock, not the bot's business clock
    deadline = time.monotonic() + timeout_sec
    progress(f"training run {job} is running; waiting for its evaluation")
    while True:
        run = next((r for r in ml.training_status(model_type) if r.get("job_id") == job), None)
        if run is not None and run.get("status") not in ("queued", "running"):
            break
        if time.monotonic() > deadline:
            raise ActionFailed(f"training run {job} did not finish within {timeout_sec:.0f} s; "
                               "check it on the ML service before retrying")
        time.sleep(poll_sec)
    if run.get("status") != "completed" or not run.get("promoted"):
        reason = run.get("error") or f"status {run.get('status')}"
        raise ActionFailed(f"training run {job} was not promoted: {reason}")
    progress("verifying the retrained model is the one serving")
    after = ml.model_info(model_type)
    if after["active"]["version"] != run["version"]:
        raise ActionFailed(f"run {job} reports {run['version']} promoted, but {after['active']['version']} "
                           "is serving")
    return (f"{model_name} retrained ({job}): {run['version']} F1 {run['f1']:.3f} passed the gate "
            f"(production {run['production_f1']:.3f} − 0.01) and serves from the {after['active']['slot']} slot")


def run_action(ml: MLService | None, action: str, target: str, now: datetime, progress: Progress, *,
               poll_sec: float, timeout_sec: float) -> ActionResult:
    """Run one approved action; any failure comes back as a failed result naming the service's words."""
    if ml is None:
        return ActionResult(action, "failed", "no ML service is configured (ML_SERVICE_URL); nothing was done")
    try:
        if action == "rollback_model":
            details = rollback(ml, target, progress)
        elif action == "retrain_model":
            details = retrain(ml, target, f"{now:%Y-%m-%d}", progress, poll_sec=poll_sec, timeout_sec=timeout_sec)
        else:
            raise ActionFailed(f"{action} is not an action AgentOps executes")
    except (ActionFailed, MLServiceUnavailable) as error:
        return ActionResult(action, "failed", str(error))
    except (KeyError, TypeError, AttributeError) as error:  # an answer not shaped like SPEC §4's
        return ActionResult(action, "failed", f"the ML service gave an unexpected answer (missing {error}); "
                                              "its state was not verified")
    return ActionResult(action, "completed", details)
