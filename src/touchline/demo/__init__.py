"""The demo: the "Demo Agency" workspace and a realistic traffic generator fed through import."""
