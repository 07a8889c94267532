namespace mongosd::shard {}
