{{/* Name of the chart, or nameOverride. */}}
{{- define "kanaria.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: <release> when it contains the chart name, else <release>-<chart>. */}}
{{- define "kanaria.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kanaria.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kanaria.labels" -}}
helm.sh/chart: {{ include "kanaria.chart" . }}
{{ include "kanaria.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kanaria.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kanaria.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kanaria.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kanaria.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when leader election is on: asked for, or forced by more than one replica; never with sharding. */}}
{{- define "kanaria.leaderElect" -}}
{{- if and (not .Values.sharding.enabled) (or .Values.leaderElection.enabled (gt (int .Values.replicas) 1)) }}true{{ end }}
{{- end }}

{{/*
The gate API's authentication mode, after checking that the gate values fit together; fails the render
with a message otherwise. Empty when the gate is off.
*/}}
{{- define "kanaria.gateAuth" -}}
{{- if .Values.gate.enabled }}
{{- $auth := .Values.gate.auth }}
{{- if not (has $auth (list "kubernetes" "token")) }}
{{- fail (printf "gate.auth must be kubernetes or token, not %q" $auth) }}
{{- end }}
{{- if and (eq $auth "token") (not .Values.gate.tokenSecretName) }}
{{- fail "gate.auth=token needs gate.tokenSecretName: a Secret in the release namespace with a `token` key" }}
{{- end }}
{{- if and (eq $auth "kubernetes") .Values.gate.tokenSecretName }}
{{- fail "gate.tokenSecretName is set but gate.auth is kubernetes (the default), which checks callers' Kubernetes tokens: set gate.auth=token to keep the shared token, or unset gate.tokenSecretName" }}
{{- end }}
{{- if eq (int .Values.gate.port) 8080 }}
{{- fail "gate.port must not be 8080: metrics and health are served there" }}
{{- end }}
{{- $auth }}
{{- end }}
{{- end }}

{{/* "true" when the gate API asks the API server about its callers (TokenReview, SubjectAccessReview). */}}
{{- define "kanaria.gateReviews" -}}
{{- if eq (include "kanaria.gateAuth" .) "kubernetes" }}true{{ end }}
{{- end }}

{{/* The namespace RBAC mode binds in; fails the render when it is missing. */}}
{{- define "kanaria.rbacNamespace" -}}
{{- required "rbac.scope=namespace needs watchNamespace: set --set watchNamespace=<namespace the operator watches>, or use rbac.scope=cluster" .Values.watchNamespace }}
{{- end }}

{{/* The operator's command line after `kanaria`. */}}
{{- define "kanaria.args" -}}
- controller
{{- $watch := .Values.watchNamespace }}
{{- if eq .Values.rbac.scope "namespace" }}
{{- $watch = include "kanaria.rbacNamespace" . }}
{{- end }}
{{- with $watch }}
- --namespace
- {{ . | quote }}
{{- end }}
{{- with .Values.selectorLabels }}
- --selector-labels
- {{ join "," . | quote }}
{{- end }}
{{- with .Values.ingress.annotationPrefix }}
- --ingress-annotation-prefix
- {{ . | quote }}
{{- end }}
{{- with .Values.ingress.class }}
- --ingress-class
- {{ . | quote }}
{{- end }}
- --log-level
- {{ .Values.logLevel | quote }}
{{- with .Values.metricsServer }}
- --metrics-server
- {{ . | quote }}
{{- end }}
- --listen-address
- "0.0.0.0:8080"
{{- if include "kanaria.leaderElect" . }}
- --leader-elect
- --leader-election-namespace
- {{ .Release.Namespace | quote }}
- --leader-election-id
- kanaria-leader
{{- end }}
{{- if .Values.sharding.enabled }}
- --sharding
- --leader-election-namespace
- {{ .Release.Namespace | quote }}
{{- end }}
{{- with .Values.alerts.secretName }}
- --alert-secret
- {{ . | quote }}
- --alert-type
- {{ $.Values.alerts.type | quote }}
{{- end }}
{{- with include "kanaria.gateAuth" . }}
- --gate-listen-address
- {{ printf "0.0.0.0:%d" (int $.Values.gate.port) | quote }}
- --gate-auth
- {{ . | quote }}
{{- if eq . "token" }}
- --gate-token-secret
- {{ $.Values.gate.tokenSecretName | quote }}
{{- end }}
{{- with $.Values.gate.slack.signingSecretName }}
- --slack-signing-secret
- {{ . | quote }}
{{- with $.Values.gate.slack.responseOrigins }}
- --slack-response-origins
- {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- else }}
- --no-gate
{{- end }}
{{- end }}
