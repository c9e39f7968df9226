{{/* The services of the chart: name, values key, port, Python module. */}}
{{- define "msc.services" -}}
gateway: {key: gateway, module: gateway}
customer-svc: {key: customerSvc, module: customer_svc}
sla-svc: {key: slaSvc, module: sla_svc}
{{- end -}}

{{- define "msc.labels" -}}
app.kubernetes.io/part-of: msc
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "msc.secretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-msc" .Release.Name) -}}
{{- end -}}
