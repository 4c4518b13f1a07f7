module github.com/headroomhq/headroom

go 1.26.8
