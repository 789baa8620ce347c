"""Docker-free local runner: serves template.yaml's routes with an embedded DynamoDB."""
