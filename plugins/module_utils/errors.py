# -*- coding: utf-8 -*-
# Copyright: groundwork.terraform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors raised deep in module_utils and turned into ``fail_json`` once, at the edge.

Every message is one line a person can act on: what went wrong, where, and how to fix it.
Extra details (rc, command without secrets, stderr) travel in ``details``.
"""
from __future__ import annotations


class GroundworkError(Exception):
    """Base class: ``message`` for people, ``details`` for fail_json's extra keys."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def fail_kwargs(self):
        result = {"msg": self.message}
        result.update({k: v for k, v in self.details.items() if v is not None})
        return result


class InputError(GroundworkError):
    """The caller's input is wrong; raised before any API call or terraform run."""


class AwsError(GroundworkError):
    """An AWS API call failed; the message names the action, the resource and the cause."""


class TerraformError(GroundworkError):
    """A terraform command failed."""


class LockHeldError(TerraformError):
    """The state lock is held by someone else."""


class GraphError(GroundworkError):
    """The stack's dependency graph is not valid (cycle, unknown unit, duplicate key)."""
