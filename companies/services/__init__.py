"""Every write on memberships, supply chains, nominations and cohorts (one module each)."""
