"""A complaint's whole life: filing it (`filing`), the one `transition()` for complaints
and their disputes (`life`), disputes raised and decided (`disputes`), the debtor's notice
(`notices/`: its private link, the emails, the page, the reminders) and the MSMED
interest a micro or small supplier may claim (`msmed`)."""
