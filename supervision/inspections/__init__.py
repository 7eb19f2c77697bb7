"""External supervision: inspectors, assignments, inspections, draws, the right of reply and
publication (the models are in `supervision.models.inspectors`, `.inspections` and
`.inspection_reports`)."""
