"""Due times in the library are minutes after a playbook attaches."""

HOUR = 60
DAY = 24 * HOUR
