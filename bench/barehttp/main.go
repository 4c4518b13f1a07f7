// Command barehttp is the floor of the native API's load benchmark: a bare
// net/http server that decodes an enforce body with encoding/json and
// answers every item allowed, with no auth, engine or store. bench/run.sh
// drives it beside Headroom with the same load generator, in the same
// rounds, so that Headroom's figures are read against what Go's HTTP and
// JSON cost on the same machine at the same moment.
//
// It also answers what `headroom bench` asks of a server before the load
// (account and override creation, with {}) and /debug/vars, for the
// request and allocation counters.
package main

import (
	"encoding/json"
	"expvar"
	"flag"
	"log"
	"net/http"
	"time"
)

// item is one enforce item, decoded as Headroom decodes its fields.
type item struct {
	Op      string `json:"op"`
	Account string `json:"account"`
	Code    string `json:"code"`
	Scope   string `json:"scope"`
	Amount  int64  `json:"amount"`
}

// result is an allowed decision, with the members Headroom answers.
type result struct {
	Allowed   bool    `json:"allowed"`
	Code      string  `json:"code"`
	Scope     string  `json:"scope"`
	Limit     float64 `json:"limit"`
	Remaining float64 `json:"remaining"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7433", "listen address")
	flag.Parse()
	requests := expvar.NewInt("headroom_http_requests")
	mux := http.NewServeMux()
	mux.Handle("GET /debug/vars", expvar.Handler())
	mux.HandleFunc("POST /v1/enforce", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var in struct {
			Items []item `json:"items"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := struct {
			Results []result `json:"results"`
		}{Results: make([]result, len(in.Items))}
		for i, it := range in.Items {
			out.Results[i] = result{Allowed: true, Code: it.Code, Scope: it.Scope, Limit: 1e9, Remaining: 1e9}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
