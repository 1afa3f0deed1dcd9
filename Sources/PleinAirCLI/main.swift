PleinAir.main()
