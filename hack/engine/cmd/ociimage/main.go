// Command ociimage assembles a container image from root-filesystem tarballs and an image config,
// then pushes it to a registry (one manifest per platform under one index) or writes it into an OCI
// image layout such as the Dagger engine's builtin content store.
//
// Usage:
//
//	ociimage -config CONFIG.json -layer linux/amd64=rootfs-amd64.tar [-layer linux/arm64=...] \
//	    (-push REF [-push REF ...] | -oci-layout DIR) [-digest-out FILE]
//
// CONFIG.json holds the "config" part of an OCI image configuration (Env, Entrypoint, Cmd, User,
// WorkingDir, Labels, ExposedPorts). Pushes to 127.0.0.1 and localhost go over plain HTTP.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "ociimage: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("ociimage", flag.ContinueOnError)
	configPath := fs.String("config", "", "path to the image config JSON (OCI \"config\" object)")
	layoutDir := fs.String("oci-layout", "", "write the image into this OCI layout directory instead of pushing")
	digestOut := fs.String("digest-out", "", "write the digest of the result (index, or the single manifest with -oci-layout) to this file")
	var layers, pushes multiFlag
	fs.Var(&layers, "layer", "PLATFORM=TARBALL, once per platform (e.g. linux/arm64=rootfs.tar)")
	fs.Var(&pushes, "push", "image reference to push to (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *configPath == "" || len(layers) == 0 {
		return errors.New("-config and at least one -layer are required")
	}
	if (len(pushes) == 0) == (*layoutDir == "") {
		return errors.New("give either -push (one or more) or -oci-layout")
	}
	raw, err := os.ReadFile(*configPath)
	if err != nil {
		return fmt.Errorf("read image config: %w", err)
	}
	var cfg v1.Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("parse image config %s: %w", *configPath, err)
	}

	idx := v1.ImageIndex(empty.Index)
	idx = mutate.IndexMediaType(idx, types.OCIImageIndex)
	var single v1.Image
	for _, l := range layers {
		plat, path, ok := strings.Cut(l, "=")
		if !ok {
			return fmt.Errorf("-layer %q: want PLATFORM=TARBALL", l)
		}
		p, err := v1.ParsePlatform(plat)
		if err != nil {
			return fmt.Errorf("-layer %q: %w", l, err)
		}
		img, err := buildImage(cfg, *p, path)
		if err != nil {
			return fmt.Errorf("build %s image: %w", plat, err)
		}
		single = img
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}

	var digest v1.Hash
	if *layoutDir != "" {
		if len(layers) != 1 {
			return errors.New("-oci-layout takes exactly one -layer")
		}
		lp, err := layout.FromPath(*layoutDir)
		if err != nil {
			if lp, err = layout.Write(*layoutDir, empty.Index); err != nil {
				return fmt.Errorf("create OCI layout %s: %w", *layoutDir, err)
			}
		}
		if err := lp.AppendImage(single); err != nil {
			return fmt.Errorf("write image into %s: %w", *layoutDir, err)
		}
		if digest, err = single.Digest(); err != nil {
			return err
		}
	} else {
		for _, ref := range pushes {
			r, err := name.ParseReference(ref, nameOpts(ref)...)
			if err != nil {
				return fmt.Errorf("image reference %q: %w", ref, err)
			}
			if err := remote.WriteIndex(r, idx); err != nil {
				return fmt.Errorf("push %s: %w", ref, err)
			}
		}
		if digest, err = idx.Digest(); err != nil {
			return err
		}
	}
	fmt.Println(digest.String())
	if *digestOut != "" {
		if err := os.WriteFile(*digestOut, []byte(digest.String()+"\n"), 0o644); err != nil {
			return fmt.Errorf("write digest: %w", err)
		}
	}
	return nil
}

func buildImage(cfg v1.Config, p v1.Platform, tarPath string) (v1.Image, error) {
	layer, err := tarball.LayerFromFile(tarPath, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", tarPath, err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS, cf.Variant = p.Architecture, p.OS, p.Variant
	cf.Config = cfg
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	return mutate.ConfigFile(img, cf)
}

func nameOpts(ref string) []name.Option {
	if strings.HasPrefix(ref, "127.0.0.1") || strings.HasPrefix(ref, "localhost") {
		return []name.Option{name.Insecure}
	}
	return nil
}
