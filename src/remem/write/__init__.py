"""The write path: episodes -> candidates -> decisions -> versioned memories."""
