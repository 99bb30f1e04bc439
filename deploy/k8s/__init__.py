"""Kubernetes manifests (kustomize base + production overlay) and the tools that generate and check them."""
