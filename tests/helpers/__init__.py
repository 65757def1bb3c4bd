"""Helper programs that the multi-process store tests run as separate processes.

They are started by path (``python tests/helpers/store_worker.py ...``) so
that they import only ``clientdesk.store`` -- never Textual -- and start fast.
"""
