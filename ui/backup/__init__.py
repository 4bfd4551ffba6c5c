"""Backup, restore, integrity check and the recovery screen shown when the data will not open."""
