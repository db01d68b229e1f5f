"""Paid credit reports in the portal: buying, paying through the gateway, reading.

Two blueprints: `reports` (members' pages and the debtor's free report) and
`test_gateway` (the local stand-in for the gateway's hosted checkout page).
"""

from portal.reports.test_gateway import bp as test_gateway_bp
from portal.reports.views import bp

__all__ = ["bp", "test_gateway_bp"]
