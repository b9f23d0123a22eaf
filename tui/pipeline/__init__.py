"""The pipeline: lanes by lead status and deal stage, and stage moves (screens)."""
