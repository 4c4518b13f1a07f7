module github.com/headroomhq/headroom

go 1.26.8

require (
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/time v0.16.0 // indirect
)
