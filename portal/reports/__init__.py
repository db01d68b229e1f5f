"""Paid credit reports in the portal: buying, paying through the gateway, reading.

Three blueprints: `reports` (members' pages and the debtor's free report) and
`test_gateway` (the local stand-in for the gateway's hosted checkout page), and
`razorpay_checkout` (our page in front of Razorpay's hosted checkout, and the way back).
"""

from portal.reports.razorpay_checkout import bp as razorpay_checkout_bp
from portal.reports.test_gateway import bp as test_gateway_bp
from portal.reports.views import bp

__all__ = ["bp", "razorpay_checkout_bp", "test_gateway_bp"]
