package policy

// Permission is one mamori permission a role can grant. The vocabulary is
// closed: a profile granting anything else fails validation, so that a typo
// in a profile can never silently widen or narrow what a role may do.
type Permission string

// The mamori permission vocabulary.
const (
	PermAssetRead       Permission = "asset.read"
	PermAssetWrite      Permission = "asset.write"
	PermAssetManage     Permission = "asset.manage"
	PermAssetClassify   Permission = "asset.classify"
	PermRequestSubmit   Permission = "request.submit"
	PermRequestDecide   Permission = "request.decide"
	PermRequestReadAll  Permission = "request.read_all"
	PermIncidentReport  Permission = "incident.report"
	PermIncidentRead    Permission = "incident.read"
	PermIncidentHandle  Permission = "incident.handle"
	PermIncidentPlan    Permission = "incident.plan"
	PermDeviationSubmit Permission = "deviation.submit"
	PermDeviationReview Permission = "deviation.review"
	PermDeviationDecide Permission = "deviation.decide"
	PermViolationManage Permission = "violation.manage"
	PermDirectoryRead   Permission = "directory.read"
	PermDirectoryManage Permission = "directory.manage"
	PermPolicyRead      Permission = "policy.read"
	PermPolicyManage    Permission = "policy.manage"
	PermLogRead         Permission = "log.read"
	PermAuditRead       Permission = "audit.read"
)

// Permissions lists the whole vocabulary in a stable order.
var Permissions = []Permission{
	PermAssetRead, PermAssetWrite, PermAssetManage, PermAssetClassify,
	PermRequestSubmit, PermRequestDecide, PermRequestReadAll,
	PermIncidentReport, PermIncidentRead, PermIncidentHandle, PermIncidentPlan,
	PermDeviationSubmit, PermDeviationReview, PermDeviationDecide,
	PermViolationManage,
	PermDirectoryRead, PermDirectoryManage,
	PermPolicyRead, PermPolicyManage,
	PermLogRead, PermAuditRead,
}

var permissionSet = func() map[Permission]bool {
	m := make(map[Permission]bool, len(Permissions))
	for _, p := range Permissions {
		m[p] = true
	}
	return m
}()

// Valid reports whether p belongs to the vocabulary.
func (p Permission) Valid() bool { return permissionSet[p] }
