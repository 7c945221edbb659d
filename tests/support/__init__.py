"""Helpers the tests share: paths, sources, hosts, builders and harnesses (no tests here).

Test modules import only from here, never from one another; ``tests/conftest.py`` keeps the
fixtures pytest injects by name and loads :mod:`.loopback` and :mod:`.browser` as plugins.
"""
