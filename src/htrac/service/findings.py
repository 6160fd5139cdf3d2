"""What `validate` reports: findings that name the file, the line, the problem and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
NOTICE = "notice"  # told, never an error, not even with --strict (a reserved path, by config)


@dataclass(frozen=True, slots=True)
class Finding:
    level: str
    path: str  # repository-relative where possible
    message: str
    fix: str
    line: int = 0
    nonce: str | None = None  # the op the finding is about, if any

    def text(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message} (fix: {self.fix})"


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    strict: bool = False
    files_checked: int = 0

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[str]:
        return [f.text() for f in self.findings
                if f.level == ERROR or (self.strict and f.level == WARNING)]

    @property
    def warnings(self) -> list[str]:
        return [] if self.strict else [f.text() for f in self.findings if f.level == WARNING]

    @property
    def notices(self) -> list[str]:
        return [f.text() for f in self.findings if f.level == NOTICE]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, list[str]]:
        data = {"errors": self.errors, "warnings": self.warnings}
        if self.notices:
            data["notices"] = self.notices
        return data
