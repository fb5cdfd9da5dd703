package web

import (
	"net/http"

	"mamori/docs"
)

// apiOpenAPI serves the OpenAPI description of the JSON API.
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, err := w.Write(docs.OpenAPI)
	return err
}
