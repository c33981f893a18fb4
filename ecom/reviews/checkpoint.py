"""Resumable training state shared by pretraining and training: optimisers, schedules and the RNG
go into one `state.pt`, written to a temporary folder and swapped in, so an interruption while
saving leaves the previous checkpoint whole."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import torch


def training_state(opts: list, scheds: list, step: int) -> dict:
    return {
        "optimizers": [o.state_dict() for o in opts],
        "schedulers": [s.state_dict() for s in scheds],
        "step": step,
        "torch_rng": torch.get_rng_state(),
    }


def restore_training_state(opts: list, scheds: list, state: dict) -> int:
    """Load optimisers, schedules and the RNG from `state`; returns the step to continue from."""
    for o, s in zip(opts, state["optimizers"], strict=True):
        o.load_state_dict(s)
    for s, s_state in zip(scheds, state["schedulers"], strict=True):
        s.load_state_dict(s_state)
    torch.set_rng_state(state["torch_rng"])
    return state["step"]


def replace_folder(target: Path, write: Callable[[Path], None]) -> None:
    """Fill a fresh temporary folder with `write(folder)`, then put it in `target`'s place."""
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    write(tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
