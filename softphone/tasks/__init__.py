"""Headless tasks over the engine (test call, register, call, doctor), shared by CLI and tests."""
