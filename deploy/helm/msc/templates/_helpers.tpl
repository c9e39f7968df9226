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

{{/* Where Kafka is and the largest record its topics take: the services and the topics Job. */}}
{{- define "msc.kafkaEnv" -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: KAFKA_MAX_MESSAGE_BYTES
  value: {{ .Values.kafka.maxMessageBytes | int | quote }}
{{- end -}}

{{- define "msc.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65534
runAsGroup: 65534
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "msc.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: ["ALL"]}
{{- end -}}
