"""Programs and their elements: objectives, training process, milestones, curriculum; the
program lifecycle."""
