"""The debtor's notice: the private, expiring link (`links`), what the debtor reads by
email (`mail`) and on the page (`view`), and the reminders before the notice period ends
(`reminders`)."""
