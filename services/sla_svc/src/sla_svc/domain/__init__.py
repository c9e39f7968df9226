"""The SLA domain: jobs, backup sets, alerts and the per-customer figures; no framework imports."""
