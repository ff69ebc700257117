"""Running untrusted student code: the wire protocol, the worker and the trusted runner."""
