"""Supervision: audit rule settings, audit runs and their chunks, findings."""

from .audit import AuditChunk, AuditRun, Finding, RuleSetting, Severity

__all__ = ["AuditChunk", "AuditRun", "Finding", "RuleSetting", "Severity"]
