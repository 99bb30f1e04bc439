// Command ferretdb runs FerretDB v1 (MongoDB wire protocol) on a SQLite directory.
//
// `go install` of FerretDB's own command panics at start-up (it expects a
// build/version/version.txt that the module proxy does not ship, FerretDB
// issue 2982). Embedding the public `ferretdb` package avoids that code path.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // the profiler's handlers, served only when -pprof is given
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "state/ferretdb", "directory holding the SQLite databases")
	pprofAddr := flag.String("pprof", "", "serve Go's profiler (/debug/pprof/) on this address; "+
		"empty: off (make bench profiles FerretDB's CPU through it)")
	flag.Parse()

	if *pprofAddr != "" {
		go func() {
			if err := http.ListenAndServe(*pprofAddr, nil); err != nil {
				fmt.Fprintln(os.Stderr, "ferretdb: profiler:", err)
			}
		}()
	}

	dir, err := filepath.Abs(*dataDir)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb: data directory:", err)
		os.Exit(2)
	}

	// WAL is FerretDB's default; synchronous(normal) drops the fsync of every commit
	// (SQLite's FULL): a power cut or OS crash may lose the last commits, never corrupt
	// the files, and a crash of this process alone loses nothing (README, Known limits).
	sqliteURL := "file:" + dir + "/?_pragma=synchronous(normal)"

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintln(os.Stderr, "ferretdb: listening on", f.MongoDBURI())
	if err := f.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}
