"""Forms of the monitoring pages: list filters, the reason to see an identity, the visit form.

Forms check the shape of the input (numbers, dates, choices, what a new child needs); the
services check the rules and may still refuse, and `VisitEntryForms.add_domain_error` puts
each refusal beside the field it names.
"""
