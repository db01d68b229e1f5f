"""Paying for credit reports, only through the company gateway: the gateway interface
and its implementations (`gateways`), report orders and their life (`orders`), and
fulfilment, the one place an order becomes paid or refunded because the gateway said so
(`fulfilment`)."""
