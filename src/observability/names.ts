/** `fulfillOrder` → `fulfill_order`: the crew name convention, for workflows without a Crew search attribute. */
export function crewOfWorkflowType(workflowType: string): string {
  return workflowType.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
