package bad

func spawn() {
	go spawn() // want `go statement in deterministic package network/bad`
}
