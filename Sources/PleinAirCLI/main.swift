print("pleinair")
