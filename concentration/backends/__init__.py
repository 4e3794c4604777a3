"""Back ends that run the public functions on other data structures.

A back end is a subpackage ``concentration.backends.<name>`` listed in
:data:`concentration._dispatch.KNOWN_BACKENDS`.  It is imported by name, on first
use, and never by the core: ``import concentration`` loads no back end.
"""
