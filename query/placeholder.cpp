namespace mongosd::query {}
