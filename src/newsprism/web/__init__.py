"""The live web UI pages served by ``newsprism serve`` (each has a JSON twin)."""
